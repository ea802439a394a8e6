"""fraudscore's shared home: settings, topics, the embedded broker, Flink set-up and the CLI."""
