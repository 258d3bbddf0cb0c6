import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const page = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  server: {
    // `npm run dev`: the game server runs beside Vite; its HTTP and websocket routes are proxied.
    proxy: {
      "/api": "http://127.0.0.1:2567",
      "/health": "http://127.0.0.1:2567",
      "/matchmake": "http://127.0.0.1:2567",
      "^/[A-Za-z0-9_-]{6,}/[A-Za-z0-9_-]{6,}": { target: "ws://127.0.0.1:2567", ws: true },
    },
  },
  build: {
    outDir: "dist",
    chunkSizeWarningLimit: 2000,
    // Four pages: the game, the live status page (served at /status), the map editor (/editor) and the replay viewer (/replay/:id).
    rollupOptions: { input: { main: page("./index.html"), status: page("./status.html"), editor: page("./editor.html"), replay: page("./replay.html") } },
  },
});
