"""bmc-hub-cvr: Danish company data by CVR number for BMC Hub (an example module)."""
