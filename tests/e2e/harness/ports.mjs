// Free TCP ports on the loopback interface, for servers that must be told their port.
import net from "node:net";

/** A port that was free a moment ago (the OS picks it; the caller binds it next). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
