"""Sensor drivers: each module has a pure parser (bytes in, dict out, ValueError on bad data) and a driver
class that takes an injected UART or I2C object, so both run on the host with fake buses."""
