"""Store tests: the contract on every engine, DynamoDB faults, races and configuration."""
