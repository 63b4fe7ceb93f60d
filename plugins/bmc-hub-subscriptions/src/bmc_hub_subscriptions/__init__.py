"""bmc-hub-subscriptions: customer subscriptions for BMC Hub (an example business module)."""
