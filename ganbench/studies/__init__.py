"""Studies: whole runs over variants x seeds (the pipeline), and the checks made before one starts."""
