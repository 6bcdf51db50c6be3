"""Deployment tests: the templates linted and checked, the stack created in moto, the Lambda bundle run bare."""
