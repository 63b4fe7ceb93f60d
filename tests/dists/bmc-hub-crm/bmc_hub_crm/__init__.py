"""Module crm: its prefix crm_ would cover crm_extra tables."""
