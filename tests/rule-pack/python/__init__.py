# checkov imports every .py here as an external check (it needs this file to look in the directory).
