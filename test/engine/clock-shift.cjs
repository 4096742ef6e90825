// Preloaded into the program's Node process (NODE_OPTIONS=--require …) by engine tests that need "a later
// day": every Date made without arguments, and Date.now(), run CLOCK_SHIFT_MS ahead. The program computes the
// client secret's rotation period from the clock, so this moves a stack past a rotation boundary the way
// time would, without a test-only switch in the product's code.
"use strict";
const shiftMs = Number(process.env.CLOCK_SHIFT_MS || "0");
if (!Number.isFinite(shiftMs))
  throw new Error(`CLOCK_SHIFT_MS is "${process.env.CLOCK_SHIFT_MS}": give a number of milliseconds`);
if (shiftMs !== 0) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + shiftMs);
      else super(...args);
    }
    static now() {
      return RealDate.now() + shiftMs;
    }
  }
  globalThis.Date = ShiftedDate;
}
