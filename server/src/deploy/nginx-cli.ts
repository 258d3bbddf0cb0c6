/** Prints the nginx site config: `npm run nginx:config -- --ports 2567,2568 | --hosts 10.0.0.2:2567,10.0.0.3:2567 --listen 443 --cert C --key K [--server-name N] [--access-log PATH]`. */
import { parseArgs } from "node:util";
import { renderNginxSite } from "./nginxConfig.ts";

const { values } = parseArgs({
  options: {
    ports: { type: "string" },
    listen: { type: "string", default: "443" },
    cert: { type: "string" },
    key: { type: "string" },
    "server-name": { type: "string" },
    "upstream-host": { type: "string" },
    hosts: { type: "string" },
    "access-log": { type: "string" },
  },
});
const ports = (values.ports ?? "").split(",").map((p) => Number(p.trim())).filter((p) => Number.isInteger(p) && p > 0);
const hosts = (values.hosts ?? "").split(",").map((h) => h.trim()).filter(Boolean);
if ((ports.length === 0 && hosts.length === 0) || !values.cert || !values.key) {
  process.stderr.write("usage: npm run nginx:config -- --ports 2567,2568 | --hosts 10.0.0.2:2567,10.0.0.3:2567 --listen 443 --cert /path/fullchain.pem --key /path/privkey.pem [--server-name game.example.com] [--access-log /var/log/nginx/arena.access.log]\n");
  process.exit(2);
}
process.stdout.write(renderNginxSite({
  ports,
  hosts,
  listen: values.listen ?? "443",
  certificate: values.cert,
  certificateKey: values.key,
  serverName: values["server-name"],
  upstreamHost: values["upstream-host"],
  accessLog: values["access-log"],
}));
