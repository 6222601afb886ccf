"""A stand-in for the OpenAI models API on 127.0.0.1:8765, for the app's demo run
(`assets/demo.flow.json`) in CI and for README screenshots. Accepts one key."""
import http.server
import json
import sys

KEY = "Bearer sk-demo-777"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8765


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != KEY:
            code, body = 401, {"error": {"message": "Incorrect API key provided"}}
        elif self.path == "/v1/models":
            code, body = 200, {"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}, {"id": "gpt-4o", "object": "model"}]}
        elif self.path.startswith("/v1/models/"):
            code, body = 200, {"id": self.path.rsplit("/", 1)[1], "object": "model", "owned_by": "system"}
        else:
            code, body = 404, {"error": {"message": "Unknown path " + self.path}}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
