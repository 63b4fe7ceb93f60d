"""bmc-hub-hello: an example BMC Hub module."""
