"""IJlucht kit firmware. FW_VERSION is the one place the firmware version is written."""

FW_VERSION = "0.2.0"
