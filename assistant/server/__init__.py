"""The HTTP and WebSocket server: app factory, routes, wire protocol, error rendering."""
