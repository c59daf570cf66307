// The parts of seek-bzip 2.0.0 (CommonJS, untyped) that the bzip2 driver uses. Its public
// `decode` needs the whole input and output in memory, so the driver steps it block by block
// through these internals instead; the version is pinned in package.json.
declare module 'seek-bzip' {
  interface ByteInput {
    readByte(): number;
    read(buffer: Uint8Array, offset: number, length: number): number;
  }
  interface ByteOutput {
    writeByte(byte: number): void;
  }
  interface BitReader {
    read(bits: number): number;
  }
  class Bunzip {
    constructor(input: ByteInput, output: ByteOutput);
    readonly reader: BitReader;
    /** Reads the next block's header and symbols; false at the end-of-stream marker. */
    _init_block(): boolean;
    /** Writes the current block's bytes to the output; throws on a bad block CRC. */
    _read_bunzip(): number;
    /** Starts a following stream (reads its `BZh` header). */
    _start_bunzip(input: ByteInput, output: ByteOutput): void;
  }
  export = Bunzip;
}
