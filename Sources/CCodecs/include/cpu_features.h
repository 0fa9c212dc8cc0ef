/// Run-time CPU feature checks for the kernels compiled for a newer x86-64 level than the build's baseline.
#ifndef SPOTTER_CPU_FEATURES_H
#define SPOTTER_CPU_FEATURES_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the CPU has everything code built with `-target-cpu haswell` may use (x86-64-v3: AVX, AVX2, FMA, F16C,
/// BMI1, BMI2, LZCNT, MOVBE) and the OS saves the YMM registers, else 0 (always 0 off x86-64). Reads CPUID and
/// XCR0; the answer does not change while the process runs.
int spc_cpu_has_avx2_fma(void);

#ifdef __cplusplus
}
#endif

#endif
