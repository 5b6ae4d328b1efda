"""Storage, below generation: locations (local or ``s3://``), Parquet files, S3, catalog tables.

Nothing here imports the generator: it moves bytes and tables to and from named places.
"""
