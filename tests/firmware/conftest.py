# tests/firmware/mp holds MicroPython scripts, run by test_mp_scripts.py under `micropython`, not by pytest.
collect_ignore = ["mp"]
