"""The two remote systems: connections with encrypted credentials, tokens, one HTTP choke point, clients."""
