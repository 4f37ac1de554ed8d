"""ijlucht-flash: MicroPython and the IJlucht kit firmware with its configuration onto an ESP32 over USB.

    stage  (pure files: config checked by the firmware's own validator)  ->  a folder laid out as the kit's flash
    write  esptool (MicroPython's image, optional) + mpremote (the staged files), behind steps.Runner

`ijlucht flash` on the platform runs the same code (ijlucht/flash.py).
"""
