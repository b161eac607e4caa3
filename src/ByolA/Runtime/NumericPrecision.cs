namespace ByolA.Runtime;

/// <summary>
/// The float arithmetic a run computes in. <see cref="Fp32"/> everywhere by default. <see cref="Tf32"/>: CUDA
/// matmuls and convolutions in TF32 (about 1e-3 relative; on the CPU it is FP32). <see cref="Bf16"/>: mixed precision
/// through libtorch's autocast — convolutions and matmuls in bfloat16, weights, optimizer state, BatchNorm statistics
/// and the loss in FP32 (on the CPU and on CUDA; fast on GPUs and on CPUs with AVX512-BF16 or AMX).
/// </summary>
public enum NumericPrecision
{
    Fp32,
    Tf32,
    Bf16,
}
