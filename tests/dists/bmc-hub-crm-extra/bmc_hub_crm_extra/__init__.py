"""Module crm_extra: overlaps crm."""
