"""The skill's domain: the household record, the exercise engine, the conversation and its content.

Nothing here imports the ASK SDK, boto3 or Flask: it is plain Python, tested with plain values.
"""
