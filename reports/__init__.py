"""ReportLab builders: plain data in, PDF bytes out. No Qt."""
