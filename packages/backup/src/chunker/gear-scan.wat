;; The gear hash's search for a cut point (fastcdc.ts), in WebAssembly: the same loop as the
;; JavaScript one, ~2.5x as fast here (docs/BENCHMARKS.md). Assembled into gear-scan-wasm.ts by
;; scripts/build-wasm.mjs; a test checks that the two agree.
;;
;; Memory: bytes 0..1023 hold the gear table (256 little-endian u32), the caller copies the data
;; to scan after it. `hash` carries the rolling hash from one call to the next.
(module
  (memory (export "memory") 1)
  (global $hash (export "hash") (mut i32) (i32.const 0))
  ;; Rolls the hash over the bytes at [from, to) until its bits under `mask` are all zero.
  ;; Returns the address just past that byte, or 0 if there is none (the hash is kept).
  (func (export "scan") (param $from i32) (param $to i32) (param $mask i32) (result i32)
    (local $i i32)
    (local $h i32)
    (local.set $i (local.get $from))
    (local.set $h (global.get $hash))
    (block $end
      (loop $next
        (br_if $end (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $h
          (i32.add
            (i32.shl (local.get $h) (i32.const 1))
            (i32.load (i32.shl (i32.load8_u (local.get $i)) (i32.const 2)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $h) (local.get $mask)))
          (then
            (global.set $hash (local.get $h))
            (return (local.get $i))))
        (br $next)))
    (global.set $hash (local.get $h))
    (i32.const 0)))
