// The member QR screen's camera: the guide box of the video, in grey, sent to
// lojald's decoder (GET /v1/camera, docs/API.md) a few times a second. The
// camera runs only while the screen is shown: stop() ends the tracks and the
// socket. One frame is in flight at a time; the next goes when its answer came.
const FRAME_INTERVAL_MS = 200;  // about 5 frames a second
const GUIDE_SHARE = 0.7;        // the guide box: this share of the shorter side, centred

export class CameraReader {
  constructor(video, onAnswer) {
    this.video = video;
    this.onAnswer = onAnswer;
    this.canvas = document.createElement('canvas');
    this.seq = 0;
    this.waiting = false;
    this.stopped = false;
  }

  async start() {
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
    if (this.stopped) return this.stop();
    this.video.srcObject = this.stream;
    await this.video.play();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.socket = new WebSocket(`${scheme}://${location.host}/v1/camera`);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onmessage = (message) => {
      this.waiting = false;
      this.onAnswer(JSON.parse(message.data));
    };
    this.socket.onopen = () => { this.timer = setInterval(() => this.sendFrame(), FRAME_INTERVAL_MS); };
  }

  // The region the page shows as the guide box, as the camera sees it.
  guideBox() {
    const width = this.video.videoWidth;
    const height = this.video.videoHeight;
    const side = Math.floor(Math.min(width, height) * GUIDE_SHARE);
    return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), side };
  }

  sendFrame() {
    if (this.waiting || !this.video.videoWidth || this.socket.readyState !== WebSocket.OPEN) return;
    const { x, y, side } = this.guideBox();
    this.canvas.width = side;
    this.canvas.height = side;
    const context = this.canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(this.video, x, y, side, side, 0, 0, side, side);
    const rgba = context.getImageData(0, 0, side, side).data;
    const frame = new Uint8Array(12 + side * side);
    const header = new DataView(frame.buffer);
    header.setUint8(0, 0x4c);  // 'L'
    header.setUint8(1, 0x46);  // 'F'
    header.setUint8(2, 1);     // version
    header.setUint16(4, side, true);
    header.setUint16(6, side, true);
    header.setUint32(8, ++this.seq, true);
    for (let i = 0, p = 12; i < rgba.length; i += 4, p += 1) {
      frame[p] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;  // BT.601 luma
    }
    this.waiting = true;
    this.socket.send(frame);
  }

  stop() {
    this.stopped = true;
    clearInterval(this.timer);
    this.stream?.getTracks().forEach((track) => track.stop());
    this.socket?.close();
    if (this.video) this.video.srcObject = null;
  }
}
