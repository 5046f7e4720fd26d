"""The test controls (`/_trustchain/*`, never AWS APIs) and the layers around every service:
what a request is (aws_request.py), fault injection (faults.py, fault_rates.py,
consistency.py), state-transition delays (delays.py), the request log (requestlog.py), the
check of every request and answer against AWS's model (model_check.py).
"""
