"""bmc-hub-invoice-scanner: reads invoices (PDF or text) and finds their key fields."""
