using System.Reflection;
using System.Reflection.Emit;
using ByolA.Runtime;
using TorchSharp;

namespace ByolA.Tests.Build;

/// <summary>
/// TorchSharp 0.107 reads a <see cref="Scalar"/>'s native handle and then calls libtorch without keeping the Scalar
/// alive, so a temporary Scalar (made by <c>x.mul_(0.5)</c>, <c>x + 1f</c>, <c>clamp(0, 1)</c>, or inside
/// TorchSharp's own Adam) can be freed by the .NET finalizer while libtorch reads it: "Unknown scalar type" or
/// "Expected false to be true", a training run lost (dotnet/TorchSharp#1434). The library therefore makes Scalars
/// only through <see cref="KeptScalars"/> and <see cref="ScalarSafeOps"/>, which keep them alive for as long as they
/// are used. This test reads the compiled library's IL, follows every call into TorchSharp (a few levels deep) and
/// lists each one that makes a Scalar on its own.
/// </summary>
public class ScalarLifetimeTests
{
    static readonly Assembly Torch = typeof(torch).Assembly;
    static readonly Assembly[] Ours = [typeof(Numerics).Assembly, typeof(ByolA.Cli.VerbRunner).Assembly];
    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    [Fact]
    public void The_library_never_makes_a_temporary_Scalar()
    {
        var offenders = new SortedSet<string>();
        var memo = new Dictionary<MethodBase, string?>();
        foreach (var type in Ours.SelectMany(a => a.GetTypes()))
        {
            // The two places that create Scalars, and keep them referenced while in use.
            if (type == typeof(KeptScalars) || type == typeof(ScalarSafeOps)) continue;
            foreach (var method in Methods(type))
            foreach (var callee in Callees(method))
            {
                if (callee.Module.Assembly != Torch) continue;
                // TorchSharp's Scalar → Tensor conversion exists only to steer overload resolution and always throws.
                if (callee.Name == "op_Implicit" && callee.DeclaringType == typeof(torch.Tensor) &&
                    callee.GetParameters() is [{ ParameterType: var p }] && p == typeof(Scalar))
                    offenders.Add($"{type.FullName}.{method.Name} passes a Scalar where a Tensor is expected (throws \"Should not be called.\")");
                if (type.IsAssignableTo(typeof(TorchSharp.Modules.Adam)) && callee is ConstructorInfo) continue;
                if ((IsScalarFactory(callee) ? $"{callee.DeclaringType?.Name}.{callee.Name}" : MakesScalar(callee, 3, memo)) is { } why)
                    offenders.Add($"{type.FullName}.{method.Name} calls {why}");
            }
        }
        Assert.True(offenders.Count == 0, $"{offenders.Count} calls make a temporary Scalar:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_scan_finds_a_temporary_Scalar_where_there_is_one()
    {
        // The scan must see TorchSharp's own conversions, or the test above would pass for nothing.
        var memo = new Dictionary<MethodBase, string?>();
        var mulScalar = typeof(torch.Tensor).GetMethod("op_Multiply", [typeof(torch.Tensor), typeof(double)])!;
        Assert.NotNull(MakesScalar(mulScalar, 3, memo));
        var adamStep = typeof(TorchSharp.Modules.Adam).GetMethod("step")!;
        Assert.NotNull(MakesScalar(adamStep, 3, memo));
        var mulTensor = typeof(torch.Tensor).GetMethod("op_Multiply", [typeof(torch.Tensor), typeof(torch.Tensor)])!;
        Assert.Null(MakesScalar(mulTensor, 3, memo));
        Assert.Contains(Callees(typeof(ScalarLifetimeTests).GetMethod(nameof(Temporary), BindingFlags.NonPublic | BindingFlags.Static)!),
            c => c.Name == "op_Implicit" && c.DeclaringType == typeof(Scalar));
    }

    static torch.Tensor Temporary(torch.Tensor x) => x.mul_(0.5);

    /// <summary>Null when <paramref name="method"/> (and what it calls inside TorchSharp) makes no Scalar, else where it does.</summary>
    static string? MakesScalar(MethodBase method, int depth, Dictionary<MethodBase, string?> memo)
    {
        if (memo.TryGetValue(method, out var known)) return known;
        memo[method] = null;   // recursion guard
        string? found = null;
        string name = $"{method.DeclaringType?.Name}.{method.Name}";
        foreach (var callee in Callees(method))
        {
            if (IsScalarFactory(callee)) { found = name; break; }
            if (depth > 1 && callee.Module.Assembly == Torch && MakesScalar(callee, depth - 1, memo) is { } inner)
            {
                found = $"{name} → {inner}";
                break;
            }
        }
        return memo[method] = found;
    }

    static bool IsScalarFactory(MethodBase m) =>
        (m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit") ||
        (m.DeclaringType == typeof(ScalarExtensionMethods) && m.Name == "ToScalar");

    static IEnumerable<MethodBase> Methods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Cast<MethodBase>()
            .Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly));

    /// <summary>Every method a method body calls (call, callvirt, newobj, ldftn), read from its IL.</summary>
    static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or BadImageFormatException) { yield break; }
        if (il == null) yield break;
        int i = 0;
        while (i < il.Length)
        {
            OpCode op;
            if (il[i] == 0xFE) { op = OpCodesByValue[(short)(0xFE00 | il[i + 1])]; i += 2; }
            else { op = OpCodesByValue[il[i]]; i += 1; }
            int operandSize = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i),
                        method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null,
                        method.IsGenericMethod ? method.GetGenericArguments() : null);
                }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMethodException) { }
                if (callee != null) yield return callee;
            }
            i += operandSize;
        }
    }
}
