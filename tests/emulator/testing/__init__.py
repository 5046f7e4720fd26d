"""Support for the emulator's own suite: the shared emulator and model-checking boto3
clients (harness.py), throwaway CAs from `cryptography` (testca.py).
"""
