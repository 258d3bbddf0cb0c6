/** Boot: URL parameters, the screen flow, the Phaser game, and the session for the joined room. */
import Phaser from "phaser";
import { Client, type Room } from "@colyseus/sdk";
import { PeopleMessage, type Inbox, type Notification, type PeopleCounts, type PersonOnline, type ResultsOut } from "@arena/shared";
import { StateEvents } from "@arena/shared/view";
import { GAME_KEYS } from "./input/keys.ts";
import { TouchSticks } from "./input/touch.ts";
import { HeartbeatCue, MatchCues, cueOf } from "./audio/cues.ts";
import { Sound } from "./audio/sound.ts";
import { bindSoundControls } from "./ui/soundControls.ts";
import { bindKillCamSetting } from "./ui/killCamSetting.ts";
import { inviteLink, joinRoom, type GuestToken } from "./net/connect.ts";
import { describeJoinError } from "./net/joinErrors.ts";
import { followMatch, type MatchFollower } from "./net/followMatch.ts";
import { GameSession, type ArenaRoom } from "./net/session.ts";
import { roomMap } from "./net/maps.ts";
import { parseParams } from "./params.ts";
import { GameScene } from "./game/GameScene.ts";
import { gameConfig } from "./game/gameConfig.ts";
import { describeClose, initialFlow, reduce, type FlowEvent, type FlowState } from "./ui/flow.ts";
import { byId, byTestId } from "./ui/dom.ts";
import { Hud } from "./ui/hud.ts";
import { ResultsView } from "./ui/results.ts";
import { bindSettingsControls } from "./ui/settingsControls.ts";
import { LobbyFeed } from "./net/lobby.ts";
import { renderLobby } from "./ui/lobby.ts";
import { PeopleApi } from "./people/api.ts";
import { ensureIdentity, storedName } from "./people/identity.ts";
import { NotificationCenter } from "./people/notificationCenter.ts";
import { renderPeople } from "./people/peopleList.ts";
import { VoiceControls } from "./ui/voiceControls.ts";
import { VoiceChat } from "./voice/VoiceChat.ts";

const params = parseParams(location.search);
// Always the page's own origin: a link must not be able to send the sign-in anywhere else.
const serverUrl = location.origin;
// A returning person keeps their name (and, through the kept token, their user id).
let flow: FlowState = initialFlow({ ...params, name: params.name || storedName() || "" });
let token: GuestToken | undefined;
let session: GameSession | undefined;
let hud: Hud | undefined;
let voice: VoiceChat | undefined;
let voiceControls: VoiceControls | undefined;
let unbindChat: () => void = () => {};
let hudTimer: ReturnType<typeof setInterval> | undefined;
/** Keeps the page in its match when the server process holding it goes away (a crash or a deploy). */
let follower: MatchFollower<ArenaRoom> | undefined;
/** Why the room last refused or closed (its onError), for the leave message. */
let errorMessage: string | undefined;
const held = new Set<string>();
let lobby: LobbyFeed | undefined;

const touch = new TouchSticks(byId("touch"));
const sound = new Sound(storage());
bindSoundControls(sound);
bindSettingsControls(storage());
const scene = new GameScene();
bindKillCamSetting(scene.killCam.setting);
// Space, Enter, Escape, a click or a tap skips a kill-cam being shown.
scene.killCam.listen(window);
const game = new Phaser.Game(gameConfig("game", scene));

/**
 * The game canvas is drawn only while a match is on screen (the game or its results). Under the name, lobby,
 * connecting and error screens it is covered, and drawing it anyway (full-screen WebGL, on many machines a
 * software rasterizer) took a third of a core at 1920×1080 from the page's own sign-in and join. The first frame
 * always runs: it creates the scene.
 */
let firstFrameDrawn = false;
function drawGame(on: boolean): void {
  if (!firstFrameDrawn) return;
  if (on) game.loop.wake();
  else game.loop.sleep();
}
game.events.once(Phaser.Core.Events.POST_RENDER, () => {
  firstFrameDrawn = true;
  drawGame(flow.screen === "game" || flow.screen === "results");
});

/** localStorage, or nothing where the browser refuses it (some private modes throw on access). */
function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function dispatch(event: FlowEvent): void {
  const before = flow;
  flow = reduce(flow, event);
  if (flow !== before) render(before);
}

function render(before: FlowState | undefined): void {
  const screens = ["name", "lobby", "connecting", "error"] as const;
  for (const s of screens) byId(`screen-${s}`).hidden = flow.screen !== s;
  const inGame = flow.screen === "game" || flow.screen === "results";
  byId("hud").hidden = !inGame;
  drawGame(inGame);
  byId("screen-results").hidden = flow.screen !== "results";
  byId("reconnecting").hidden = !flow.reconnecting;
  touch.show(flow.screen === "game");
  byTestId("lobby-name").textContent = flow.name;
  byTestId<HTMLInputElement>("name-input").value ||= flow.name;
  byTestId("error-message").textContent = flow.message;
  if (flow.screen === "connecting" && before?.screen !== "connecting") void connect();
  if (flow.screen === "lobby" && before?.screen !== "lobby") void openLobby();
  if (flow.screen !== "lobby" && lobby !== undefined) {
    lobby.close();
    lobby = undefined;
  }
  if (!inGame && before !== undefined && (before.screen === "game" || before.screen === "results")) teardown();
}

/** The name's guest token, signed in once per name. */
async function ensureToken(): Promise<GuestToken> {
  if (token === undefined || token.name !== flow.name) token = await ensureIdentity(serverUrl, flow.name);
  return token;
}

const peopleApi = new PeopleApi(serverUrl, async () => (await ensureToken()).token);
/** Someone to invite into the private room being opened for them. */
let inviting: PersonOnline | undefined;
const joinFromInvite = (roomId: string): void => {
  if (flow.screen === "lobby") dispatch({ type: "join", request: { kind: "code", code: roomId } });
  else location.href = `?name=${encodeURIComponent(flow.name)}&join=${encodeURIComponent(roomId)}`;
};
const center = new NotificationCenter(peopleApi, { join: joinFromInvite }, document.body);
const listenForNotes = (room: Room): void => {
  room.onMessage(PeopleMessage.Notification, (n: Notification) => center.add(n));
  room.onMessage(PeopleMessage.Inbox, (box: Inbox) => center.inbox(box));
};

/** Shows the live room list, online count and leaderboard while the lobby is on screen. */
async function openLobby(): Promise<void> {
  const feed = new LobbyFeed((view) => renderLobby(view, {
    join: (roomId) => dispatch({ type: "join", request: { kind: "code", code: roomId } }),
    watch: (roomId) => dispatch({ type: "join", request: { kind: "spectate", roomId } }),
    page: (page) => feed.page(page),
  }), (room) => {
    listenForNotes(room);
    // Everyone online is counted; the list holds only your people (played with, invited, blocked, in your room).
    room.onMessage(PeopleMessage.Counts, (counts: PeopleCounts) => {
      byTestId("people-count").textContent = `(${counts.online} online: ${counts.match} playing, ${counts.lobby} in lobby)`;
    });
    room.onMessage(PeopleMessage.People, (people: PersonOnline[]) => {
      renderPeople(byTestId<HTMLTableElement>("people-list"), people, token?.userId ?? "", {
        join: (roomId) => dispatch({ type: "join", request: { kind: "code", code: roomId } }),
        invite: (person) => {
          inviting = person;
          dispatch({ type: "join", request: { kind: "create" } });
        },
        block: (person) => peopleApi.block(person.userId, person.name).then(() => center.info(`${person.name} is blocked`), (e: unknown) => center.info(describeJoinError(e))),
      });
    });
  });
  lobby = feed;
  try {
    await feed.open(serverUrl, (await ensureToken()).token);
  } catch (e) {
    byTestId("online-count").textContent = `(lobby unavailable: ${describeJoinError(e)})`;
  }
}

async function connect(): Promise<void> {
  const request = flow.joining;
  if (request === undefined) return;
  try {
    const room = await joinRoom(serverUrl, (await ensureToken()).token, flow.name, request);
    start(room);
    // The match may move to another process; the page follows it without a click (docs/PROTOCOL.md).
    follower = followMatch(new Client(serverUrl), room, {
      onReconnecting: () => dispatch({ type: "dropped" }),
      onBack: () => dispatch({ type: "reconnected" }),
      onRoom: (moved) => {
        // Voice stays as the player left it: the new room's voice starts in the same mode (the microphone was granted).
        const voiceMode = voice?.mode ?? "off";
        stopSession();
        start(moved);
        if (voiceMode !== "off") void voice?.enable(voiceMode);
        dispatch({ type: "reconnected" });
      },
      onLeave: (code, reason) => {
        if (code === 4000) dispatch({ type: "leave" });
        else dispatch({ type: "lost", message: errorMessage ?? describeClose(code, reason) });
      },
    });
    dispatch({ type: "joined" });
  } catch (e) {
    dispatch({ type: "refused", message: describeJoinError(e) });
  }
}

function start(room: ArenaRoom): void {
  const s = new GameSession(room, params.impairment);
  session = s;
  // A room on a published map names it in its first state; until it is loaded nothing is predicted or sent.
  roomMap(room).then((map) => {
    if (session !== s) return;
    s.useMap(map);
    scene.useMap(map);
  }, (e: unknown) => {
    if (session === s) dispatch({ type: "lost", message: e instanceof Error ? e.message : "the room's map could not be loaded" });
  });
  // Registered now, in the task the join resolved in: the voice config sent on join arrives in a later one.
  const v = new VoiceChat(room, {
    changed: () => voiceControls?.render(),
    problem: (message, kind) => voiceControls?.problem(message, kind),
  });
  voice = v;
  voiceControls = new VoiceControls(v);
  hud = new Hud(session, params.debug, (_r: ResultsOut) => dispatch({ type: "matchEnded" }), v);
  // Play again: the page leaves this room for the one the group's first press opened.
  new ResultsView(room, (roomId) => dispatch({ type: "playAgain", roomId }));
  unbindChat = hud.bindChat();
  scene.attach(session, { held: () => held, voiceLevel: (id) => v.levelOf(id), touch: () => touch.read() });
  byTestId<HTMLInputElement>("invite-link").value = inviteLink(location, room.roomId);
  listenForNotes(room);
  const invitee = inviting;
  inviting = undefined;
  if (invitee !== undefined) {
    peopleApi.invite(invitee.userId, room.roomId).then(() => center.info(`Invited ${invitee.name}`), (e: unknown) => center.info(`${invitee.name}: ${describeJoinError(e)}`));
  }
  history.replaceState(null, "", `?name=${encodeURIComponent(flow.name)}&join=${encodeURIComponent(room.roomId)}`);
  const stateEvents = new StateEvents();
  const matchCues = new MatchCues();
  room.onStateChange((state) => {
    if (flow.screen === "results" && state.phase !== "results") dispatch({ type: "matchStarted" });
    const matchCue = matchCues.update(state);
    if (matchCue !== undefined) sound.play(matchCue);
    // Shots, hits and kills arrive as changes to the players, not as messages (see shared/src/view/stateEvents.ts).
    for (const e of stateEvents.update(state.players)) {
      const cue = cueOf(e, room.sessionId);
      if (cue !== undefined) sound.play(cue);
      if (e.type === "shot") {
        scene.startShot(e, state.tick);
        continue;
      }
      if (e.type === "landed") {
        scene.endShot(e.shooter, e.firedAt);
        continue;
      }
      const who = e.type === "hurt" ? e.target : e.victim;
      const at = scene.drawn.get(who);
      if (at !== undefined) scene.burst(at.x, at.y, e.type === "kill");
      if (e.type === "kill") hud?.kill(e.killer, e.victim);
    }
  });
  // Drops, moves and leaves are the follower's (see connect()).
  errorMessage = undefined;
  room.onError((code: number, message?: string) => {
    errorMessage = describeClose(code, message);
  });
  const heartbeat = new HeartbeatCue();
  hudTimer = setInterval(() => {
    hud?.update();
    // Low HP: a heartbeat that quickens as HP falls (checked at the HUD's pace, not every frame).
    if (heartbeat.update(room.state, room.sessionId, performance.now()) !== undefined) sound.play("heartbeat");
    const me = session?.sessionId;
    voice?.updateGains(me === undefined ? undefined : scene.drawn.get(me), (id) => scene.drawn.get(id));
  }, 100);
}

function teardown(): void {
  follower?.stop();
  follower = undefined;
  stopSession();
  history.replaceState(null, "", `?name=${encodeURIComponent(flow.name)}`);
}

/** Ends the page's binding to its room (the room is left if still open); the match may go on in another room object. */
function stopSession(): void {
  const s = session;
  session = undefined;
  hud = undefined;
  voiceControls?.dispose();
  voiceControls = undefined;
  voice?.dispose();
  voice = undefined;
  unbindChat();
  if (hudTimer !== undefined) clearInterval(hudTimer);
  scene.attach(undefined, undefined);
  held.clear();
  if (s !== undefined) {
    s.dispose();
    if (s.room.connection.isOpen) void s.room.leave(true);
  }
}

// Screens.
byTestId<HTMLFormElement>("name-form").addEventListener("submit", (e) => {
  e.preventDefault();
  dispatch({ type: "submitName", name: byTestId<HTMLInputElement>("name-input").value });
});
byTestId("change-name").addEventListener("click", () => {
  flow = { ...flow, screen: "name" };
  render(undefined);
});
byTestId("quick-play").addEventListener("click", () => dispatch({ type: "join", request: { kind: "quick" } }));
byTestId("create-private").addEventListener("click", () => dispatch({ type: "join", request: { kind: "create" } }));
byTestId<HTMLFormElement>("practice-form").addEventListener("submit", (e) => {
  e.preventDefault();
  // The server validates both (1 to PRACTICE_MAX_BOTS, a known difficulty) and says why it refuses.
  const bots = Number(byTestId<HTMLInputElement>("practice-bots").value);
  const difficulty = byTestId<HTMLSelectElement>("practice-difficulty").value;
  dispatch({ type: "join", request: { kind: "practice", bots, difficulty } });
});
byTestId<HTMLFormElement>("join-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const code = byTestId<HTMLInputElement>("join-code").value.trim();
  if (code) dispatch({ type: "join", request: { kind: "code", code } });
});
byTestId("error-dismiss").addEventListener("click", () => dispatch({ type: "dismiss" }));
const leave = (): void => dispatch({ type: "leave" });
byTestId("leave").addEventListener("click", leave);
byTestId("results-leave").addEventListener("click", leave);

// Keyboard: game keys while playing; the chat input keeps its own keys.
window.addEventListener("keydown", (e) => {
  if (session === undefined || e.target instanceof HTMLInputElement) return;
  if (hud?.key(e, true) || voiceControls?.key(e, true)) {
    e.preventDefault();
    return;
  }
  if (GAME_KEYS.has(e.code)) {
    held.add(e.code);
    e.preventDefault();
  }
});
window.addEventListener("keyup", (e) => {
  hud?.key(e, false);
  if (!(e.target instanceof HTMLInputElement)) voiceControls?.key(e, false);
  held.delete(e.code);
});
window.addEventListener("blur", () => {
  held.clear();
  if (voice?.mode === "ptt") voice.pushToTalk(false);
});

render(undefined);

/** Test and debugging hooks (read-only views and the game loop). */
Object.assign(window, {
  __arena: {
    game,
    scene,
    flow: () => flow,
    session: () => session,
    voice: () => voice,
    rendererType: () => (game.renderer.type === Phaser.WEBGL ? "webgl" : "canvas"),
    drawn: (id: string) => scene.drawn.get(id),
    /** The map drawn, and the one the session predicts on (the same once the room's map is loaded). */
    map: () => ({ drawn: scene.map, predicted: session?.arenaMap }),
    label: (id: string) => scene.labelOf(id),
    audioState: () => sound.state,
  },
});
