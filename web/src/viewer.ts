/**
 * The two linked views: input and colorized output drawn at full resolution on canvases, one
 * zoom/pan transform shared by both, side by side or stacked with a before/after split; pointer
 * tools for window/level, pan and painting strokes (in image pixels).
 */
import type { StrokeSpec } from './protocol.js';

export type Tool = 'window' | 'pan' | 'paint';

export interface ViewerElements {
  viewport: HTMLElement;
  inputPane: HTMLElement;
  outputPane: HTMLElement;
  inputLayer: HTMLElement;
  outputLayer: HTMLElement;
  input: HTMLCanvasElement;
  paint: HTMLCanvasElement;
  output: HTMLCanvasElement;
  onZoom: (scale: number) => void;
  onWindowDrag: (dx: number, dy: number, done: boolean) => void;
  onStroke: (stroke: StrokeSpec) => void;
  strokeStyle: () => { color: string; width: number };
}

export class Viewer {
  tool: Tool = 'window';
  private view: 'side' | 'slider' = 'side';
  private scale = 1;
  private tx = 0;
  private ty = 0;
  private width = 1;
  private height = 1;
  private split = 0.5;
  private strokes: StrokeSpec[] = [];
  private drawing?: StrokeSpec;

  constructor(private readonly el: ViewerElements) {
    for (const pane of [el.inputPane, el.outputPane]) this.bindPointer(pane);
    new ResizeObserver(() => this.apply()).observe(el.viewport);
  }

  setTool(t: Tool): void {
    this.tool = t;
    this.el.inputPane.style.cursor = t === 'pan' ? 'grab' : 'crosshair';
  }

  setView(v: 'side' | 'slider'): void {
    this.view = v;
    this.el.viewport.dataset.view = v;
    requestAnimationFrame(() => this.fit());
  }

  setSplit(f: number): void {
    this.split = f;
    this.apply();
  }

  setImageSize(w: number, h: number): void {
    this.width = w;
    this.height = h;
    for (const c of [this.el.input, this.el.paint, this.el.output]) {
      if (c.width !== w) c.width = w;
      if (c.height !== h) c.height = h;
    }
  }

  drawInput(w: number, h: number, rgba: Uint8ClampedArray<ArrayBuffer>): void {
    this.setImageSize(w, h);
    this.el.input.getContext('2d')!.putImageData(new ImageData(rgba, w, h), 0, 0);
  }

  drawOutput(w: number, h: number, rgba: Uint8ClampedArray<ArrayBuffer>): void {
    const c = this.el.output;
    if (c.width !== w) c.width = w;
    if (c.height !== h) c.height = h;
    c.getContext('2d')!.putImageData(new ImageData(rgba, w, h), 0, 0);
    c.dataset.filled = 'true';
  }

  clearOutput(): void {
    const c = this.el.output;
    c.getContext('2d')!.clearRect(0, 0, c.width, c.height);
    c.dataset.filled = 'false';
  }

  setStrokes(strokes: StrokeSpec[]): void {
    this.strokes = strokes;
    // The strokes in image pixels, readable by drivers (tests reproduce the result in Node).
    this.el.paint.dataset.strokes = JSON.stringify(strokes);
    this.redrawStrokes();
  }

  /** Scale so that the image fits its pane. */
  fit(): void {
    const pane = this.el.inputPane.getBoundingClientRect();
    if (pane.width === 0) return;
    this.scale = Math.min(pane.width / this.width, pane.height / this.height);
    this.tx = (pane.width - this.width * this.scale) / 2;
    this.ty = (pane.height - this.height * this.scale) / 2;
    this.apply();
  }

  zoomTo(scale: number, cx?: number, cy?: number): void {
    const pane = this.el.inputPane.getBoundingClientRect();
    const px = cx ?? pane.width / 2, py = cy ?? pane.height / 2;
    // Keep the image point under (px, py) fixed.
    const ix = (px - this.tx) / this.scale, iy = (py - this.ty) / this.scale;
    this.scale = Math.min(32, Math.max(0.05, scale));
    this.tx = px - ix * this.scale;
    this.ty = py - iy * this.scale;
    this.apply();
  }

  private apply(): void {
    const t = `translate(${this.tx}px, ${this.ty}px) scale(${this.scale})`;
    this.el.inputLayer.style.transform = t;
    this.el.outputLayer.style.transform = t;
    // Smooth when shrinking, crisp pixels when magnifying (as radiology viewers do).
    const rendering = this.scale >= 2 ? 'pixelated' : 'auto';
    this.el.input.style.imageRendering = rendering;
    this.el.output.style.imageRendering = rendering;
    if (this.view === 'slider') {
      const pane = this.el.outputPane.getBoundingClientRect();
      this.el.outputPane.style.clipPath = `inset(0 0 0 ${Math.round(this.split * pane.width)}px)`;
    } else {
      this.el.outputPane.style.clipPath = '';
    }
    this.el.onZoom(this.scale);
  }

  private toImage(pane: HTMLElement, e: PointerEvent): [number, number] {
    const r = pane.getBoundingClientRect();
    return [(e.clientX - r.left - this.tx) / this.scale, (e.clientY - r.top - this.ty) / this.scale];
  }

  private bindPointer(pane: HTMLElement): void {
    let last: { x: number; y: number; mode: Tool } | undefined;
    pane.addEventListener('pointerdown', (e) => {
      const mode: Tool = e.button === 1 || e.button === 2 || e.shiftKey ? 'pan' : this.tool;
      pane.setPointerCapture(e.pointerId);
      last = { x: e.clientX, y: e.clientY, mode };
      if (mode === 'paint') {
        const style = this.el.strokeStyle();
        const [x, y] = this.toImage(pane, e);
        this.drawing = { points: [[Math.round(x), Math.round(y)]], width: style.width, color: style.color };
        this.redrawStrokes();
      }
      e.preventDefault();
    });
    pane.addEventListener('pointermove', (e) => {
      if (!last) return;
      const dx = e.clientX - last.x, dy = e.clientY - last.y;
      if (last.mode === 'pan') {
        this.tx += dx;
        this.ty += dy;
        this.apply();
      } else if (last.mode === 'window') {
        this.el.onWindowDrag(dx, dy, false);
      } else if (this.drawing) {
        const [x, y] = this.toImage(pane, e);
        const p: [number, number] = [Math.round(x), Math.round(y)];
        const q = this.drawing.points[this.drawing.points.length - 1];
        if (p[0] !== q[0] || p[1] !== q[1]) this.drawing.points.push(p);
        this.redrawStrokes();
      }
      last.x = e.clientX;
      last.y = e.clientY;
    });
    const end = (e: PointerEvent) => {
      if (!last) return;
      if (last.mode === 'window') this.el.onWindowDrag(0, 0, true);
      if (this.drawing) {
        const s = this.drawing;
        this.drawing = undefined;
        if (s.points.some(([x, y]) => x >= 0 && y >= 0 && x < this.width && y < this.height)) this.el.onStroke(s);
        else this.redrawStrokes();
      }
      last = undefined;
      pane.releasePointerCapture(e.pointerId);
    };
    pane.addEventListener('pointerup', end);
    pane.addEventListener('pointercancel', end);
    pane.addEventListener('contextmenu', (e) => e.preventDefault());
    pane.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = pane.getBoundingClientRect();
        this.zoomTo(this.scale * Math.pow(1.0015, -e.deltaY), e.clientX - r.left, e.clientY - r.top);
      },
      { passive: false },
    );
  }

  private redrawStrokes(): void {
    const ctx = this.el.paint.getContext('2d')!;
    ctx.clearRect(0, 0, this.el.paint.width, this.el.paint.height);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of this.drawing ? [...this.strokes, this.drawing] : this.strokes) {
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = s.width;
      if (s.points.length === 1) {
        ctx.beginPath();
        ctx.arc(s.points[0][0], s.points[0][1], s.width / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(s.points[0][0], s.points[0][1]);
      for (const [x, y] of s.points.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
  }
}
