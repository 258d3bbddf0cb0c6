/** The loudness of an audio source now (RMS of its last few milliseconds), for the speaking ring. */
export class LevelMeter {
  private readonly analyser: AnalyserNode;
  private readonly buffer: Float32Array<ArrayBuffer>;

  constructor(ctx: AudioContext) {
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 512;
    this.buffer = new Float32Array(this.analyser.fftSize);
  }

  listen(source: AudioNode): void {
    source.connect(this.analyser);
  }

  /** 0 (silence) .. 1 (full scale). */
  level(): number {
    this.analyser.getFloatTimeDomainData(this.buffer);
    let sum = 0;
    for (const v of this.buffer) sum += v * v;
    return Math.min(1, Math.sqrt(sum / this.buffer.length));
  }

  disconnect(): void {
    this.analyser.disconnect();
  }
}
