"""Project glue: settings read from the environment, URLs, WSGI, health endpoint."""
