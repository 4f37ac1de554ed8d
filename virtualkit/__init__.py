"""The virtual kit: the real firmware under the MicroPython unix port with simulated hardware."""
