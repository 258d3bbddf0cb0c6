/** The in-game HTML overlay: HUD numbers, kill feed, scoreboard, chat, debug overlay, results. */
import {
  ClientMessage, ServerMessage, standings,
  type ArenaState, type ChatOut, type ChatTailOut, type NoticeOut, type ResultsOut, type TypingOut,
} from "@arena/shared";
import type { GameSession } from "../net/session.ts";
import { taggedName } from "./botTag.ts";
import type { VoiceChat } from "../voice/VoiceChat.ts";
import { appendLine, byId, byTestId, fillTable } from "./dom.ts";

const FEED_LINES = 5;
const CHAT_LINES = 8;

export class Hud {
  private readonly typing = new Map<string, string>();
  private debugVisible: boolean;
  private scoreboardVisible = false;
  private typingSent = false;
  private lastVoicePoll = 0;
  /** What the scoreboard shows now: it is rebuilt only when this changes (so its buttons stay put under the pointer). */
  private scoreboardShown = "";

  constructor(private readonly session: GameSession, debug: boolean, private readonly onResults: (r: ResultsOut) => void, private readonly voice?: VoiceChat) {
    this.debugVisible = debug;
    const room = session.room;
    byTestId("kill-feed").replaceChildren();
    byTestId("chat-log").replaceChildren();
    room.onMessage(ServerMessage.Chat, (c: ChatOut) => {
      this.typing.delete(c.from);
      appendLine(byTestId("chat-log"), `${c.name}: ${c.text}`, CHAT_LINES);
      this.renderTyping();
    });
    // The room's last lines, on joining (or on coming back in a match taken over by another process): the log shows them.
    room.onMessage(ServerMessage.ChatTail, (t: ChatTailOut) => {
      const log = byTestId("chat-log");
      log.replaceChildren();
      for (const c of t.lines) appendLine(log, `${c.name}: ${c.text}`, CHAT_LINES);
    });
    room.onMessage(ServerMessage.Typing, (t: TypingOut) => {
      const name = room.state.players.get(t.from)?.name ?? "someone";
      if (t.typing) this.typing.set(t.from, name);
      else this.typing.delete(t.from);
      this.renderTyping();
    });
    room.onMessage(ServerMessage.Notice, (n: NoticeOut) => {
      // A signal crossing a link that just closed is expected; the voice layer handles its own notices.
      if (n.code.startsWith("voice_")) return;
      appendLine(byTestId("chat-log"), `(${n.message})`, CHAT_LINES);
    });
    // The results screen's content is ResultsView's (results.ts); the HUD only says the match ended.
    room.onMessage(ServerMessage.Results, (r: ResultsOut) => onResults(r));
    room.onMessage(ServerMessage.MatchStart, () => {
      byTestId("kill-feed").replaceChildren();
    });
    byTestId("debug-overlay").hidden = !this.debugVisible;
  }

  /** A kill-feed line (kills arrive as state changes: see shared/src/view/stateEvents.ts). */
  kill(killer: string, victim: string): void {
    const players = this.session.room.state.players;
    const name = (id: string): string => taggedName(players.get(id)?.name ?? "someone", id, players.get(id)?.bot);
    appendLine(byTestId("kill-feed"), `${name(killer)} ✕ ${name(victim)}`, FEED_LINES);
  }

  /** Key handling that belongs to the HUD: Tab scoreboard, F3/backquote debug, Enter chat. Returns true when handled. */
  key(event: KeyboardEvent, down: boolean): boolean {
    const chat = byTestId<HTMLInputElement>("chat-input");
    if (event.code === "Tab") {
      this.scoreboardVisible = down;
      byTestId("scoreboard").hidden = !down;
      return true;
    }
    if (!down) return false;
    if (event.code === "F3" || event.code === "Backquote") {
      this.debugVisible = !this.debugVisible;
      byTestId("debug-overlay").hidden = !this.debugVisible;
      return true;
    }
    if (event.code === "Enter" && document.activeElement !== chat) {
      chat.focus();
      return true;
    }
    return false;
  }

  /** Wires the chat input: Enter sends, Escape leaves, typing state is sent only when it changes. */
  bindChat(): () => void {
    const chat = byTestId<HTMLInputElement>("chat-input");
    const room = this.session.room;
    const setTyping = (typing: boolean): void => {
      if (typing === this.typingSent) return;
      this.typingSent = typing;
      room.send(ClientMessage.Typing, { typing });
    };
    const onKey = (e: KeyboardEvent): void => {
      e.stopPropagation();
      if (e.key === "Enter") {
        const text = chat.value.trim();
        if (text) room.send(ClientMessage.Chat, { text });
        this.typingSent = false;
        chat.value = "";
        chat.blur();
      } else if (e.key === "Escape") {
        chat.value = "";
        setTyping(false);
        chat.blur();
      }
    };
    const onInput = (): void => setTyping(chat.value.length > 0);
    const onBlur = (): void => setTyping(false);
    chat.addEventListener("keydown", onKey);
    chat.addEventListener("input", onInput);
    chat.addEventListener("blur", onBlur);
    return () => {
      chat.removeEventListener("keydown", onKey);
      chat.removeEventListener("input", onInput);
      chat.removeEventListener("blur", onBlur);
    };
  }

  /** Refreshes the numbers; called a few times a second, not every frame. */
  update(): void {
    const state = this.session.room.state as ArenaState | undefined;
    if (state?.players === undefined) return;
    const me = state.players.get(this.session.sessionId);
    const stats = this.session.stats();
    byTestId("hud-hp").textContent = me === undefined ? "Spectating" : me.alive ? `HP ${me.hp}` : "Respawning…";
    byTestId("hud-score").textContent = me === undefined ? "" : `Kills ${me.kills} · Deaths ${me.deaths}`;
    byTestId("chat-input").hidden = me === undefined; // spectators watch; they do not chat
    byTestId("mic-button").hidden = me === undefined; // nor talk
    byTestId("hud-ping").textContent = `Ping ${Math.round(stats.rttMs)} ms`;
    const left = state.phaseEndsAt > 0 ? Math.max(0, Math.ceil((state.phaseEndsAt - state.tick) / state.tickRate)) : 0;
    const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    byTestId("hud-timer").textContent = state.phase === "playing" ? clock : "";
    byTestId("phase-banner").textContent =
      state.phase === "warmup" ? (state.phaseEndsAt > 0 ? `Match starts in ${left}` : "Waiting for another player…") : "";
    if (this.scoreboardVisible) this.renderScoreboard(state);
    if (this.debugVisible) {
      byTestId("debug-overlay").textContent = [
        `rtt          ${stats.rttMs.toFixed(0)} ms (network)`,
        `rtt page     ${stats.pageRttMs.toFixed(0)} ms (last ping, frame waits included)`,
        `jitter       ${stats.jitterMs.toFixed(1)} ms`,
        `interp delay ${stats.interpDelayMs} ms`,
        `pending in   ${stats.pendingInputs}`,
        `skipped      ${stats.skippedSteps}`,
        `correction   ${stats.lastCorrection.toFixed(2)} u`,
        `reconciles   ${stats.reconciliations}`,
        ...this.voiceLines(state),
      ].join("\n");
    }
  }

  /** The scoreboard, with a mute button for each other player who has voice on. */
  private renderScoreboard(state: ArenaState): void {
    const table = byTestId<HTMLTableElement>("scoreboard");
    const rows = standings(state);
    const voice = this.voice;
    const shown = JSON.stringify(rows.map((s) => [s.sessionId, s.name, s.kills, s.deaths, s.damage, state.players.get(s.sessionId)?.voice, voice?.isMuted(s.sessionId)]));
    if (shown === this.scoreboardShown && table.rows.length > 0) return;
    this.scoreboardShown = shown;
    fillTable(table, ["Player", "Kills", "Deaths", "Damage", "Voice"],
      rows.map((s) => [taggedName(s.name, s.sessionId), String(s.kills), String(s.deaths), String(s.damage), ""]));
    rows.forEach((s, i) => {
      const cell = table.rows[i + 1]?.cells[4];
      const player = state.players.get(s.sessionId);
      if (cell === undefined || player?.voice !== true) return;
      if (s.sessionId === this.session.sessionId || voice === undefined) {
        cell.textContent = "mic on";
        return;
      }
      const muted = voice.isMuted(s.sessionId);
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = muted ? "Unmute" : "Mute";
      button.dataset.testid = "voice-mute";
      button.dataset.session = s.sessionId;
      button.setAttribute("aria-pressed", String(muted));
      button.addEventListener("click", () => {
        voice.setMuted(s.sessionId, !muted);
        this.renderScoreboard(state);
      });
      cell.appendChild(button);
    });
  }

  /** One debug line per voice peer: connection state, round trip, packets lost, bitrate (from getStats, each second). */
  private voiceLines(state: ArenaState): string[] {
    const voice = this.voice;
    if (voice === undefined || voice.mode === "off") return [];
    const now = performance.now();
    if (now - this.lastVoicePoll > 1000) {
      this.lastVoicePoll = now;
      void voice.pollStats();
    }
    const lines = [`voice        ${voice.mode}, ${voice.peerIds().length} peer(s)`];
    for (const p of voice.stats) {
      const name = (state.players.get(p.id)?.name ?? p.id).slice(0, 10).padEnd(10);
      const rtt = p.rttMs === undefined ? "–" : `${p.rttMs.toFixed(0)} ms`;
      lines.push(`  ${name} ${p.state} rtt ${rtt} lost ${p.packetsLost} ${p.kbps.toFixed(0)} kb/s`);
    }
    return lines;
  }

  private renderTyping(): void {
    const names = [...this.typing.values()];
    byTestId("typing-indicator").textContent = names.length === 0 ? "" : `${names.join(", ")} ${names.length === 1 ? "is" : "are"} typing…`;
  }
}
