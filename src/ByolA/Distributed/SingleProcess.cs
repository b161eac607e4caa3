using static TorchSharp.torch;

namespace ByolA.Distributed;

/// <summary>One process training alone: rank 0 of 1. Every collective returns its input; nothing native is loaded.</summary>
internal sealed class SingleProcess : IProcessGroup
{
    public static readonly SingleProcess Instance = new();

    SingleProcess() { }

    public int Rank => 0;
    public int WorldSize => 1;
    public int LocalRank => 0;
    public string Kind => "single process";

    public void AllReduceSum(Tensor flat, string what) { }
    public void Broadcast(Tensor flat, string what) { }
    public byte[] Broadcast(byte[] bytes, string what) => bytes;
    public long[][] AllGather(long[] values, string what) => [values];
    public void Complete() { }
    public void Dispose() { }
}
