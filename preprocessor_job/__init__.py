"""The preprocessor job: raw channels in, canonical events out."""
