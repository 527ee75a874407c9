using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace DBus;

/// <summary>
/// An array of <see cref="Length"/> elements in memory rented from <see cref="ArrayPool{T}.Shared"/>, returned
/// to the pool by <see cref="Dispose"/>. Generated proxies and message readers return it for arrays annotated
/// <c>org.dbusgen.PooledArrays</c>, so reading a large <c>ai</c> or <c>ay</c> allocates nothing in steady state.
/// </summary>
/// <remarks>
/// Every copy of the value refers to one lease: after any copy is disposed, <see cref="Memory"/> and
/// <see cref="Span"/> throw <see cref="ObjectDisposedException"/> on all of them, and disposing again does
/// nothing. A <see cref="Memory{T}"/> or <see cref="Span{T}"/> taken before <see cref="Dispose"/> must not be used
/// after it: the array may already belong to someone else. Not disposing only costs the pool an array.
/// <c>default</c> is an empty array.
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types",
    Justification = "A lease is not a value to compare; equality would have no meaning users could rely on.")]
public readonly struct PooledArray<T> : IMemoryOwner<T>
{
    // The lease state lives in a pooled box so copies of the struct share it; the generation tells a stale copy
    // (disposed, possibly with the box already rented again) from the live one.
    private readonly Lease? _lease;
    private readonly long _generation;

    private PooledArray(Lease lease, long generation)
    {
        _lease = lease;
        _generation = generation;
    }

    /// <summary>The number of elements.</summary>
    /// <exception cref="ObjectDisposedException">The array was disposed.</exception>
    public int Length => _lease is null ? 0 : Check(_lease).Length;

    /// <summary>The elements, exactly <see cref="Length"/> of them.</summary>
    /// <exception cref="ObjectDisposedException">The array was disposed.</exception>
    public Memory<T> Memory => _lease is null ? Memory<T>.Empty : new Memory<T>(Check(_lease).Array, 0, _lease.Length);

    /// <summary>The elements as a span, exactly <see cref="Length"/> of them.</summary>
    /// <exception cref="ObjectDisposedException">The array was disposed.</exception>
    public Span<T> Span => _lease is null ? Span<T>.Empty : new Span<T>(Check(_lease).Array, 0, _lease.Length);

    /// <summary>Returns the array to the pool. Calling it again, on this or another copy, does nothing.</summary>
    public void Dispose()
    {
        var lease = _lease;
        if (lease is null || Interlocked.CompareExchange(ref lease.Generation, _generation + 1, _generation) != _generation)
        {
            return;
        }
        var array = lease.Array;
        lease.Array = [];
        lease.Length = 0;
        ArrayPool<T>.Shared.Return(array);
        Lease.Release(lease);
    }

    /// <summary>Rents an array of exactly <paramref name="length"/> elements; its contents are unspecified.</summary>
    internal static PooledArray<T> Rent(int length)
    {
        if (length == 0)
        {
            return default;
        }
        var lease = Lease.Take();
        lease.Array = ArrayPool<T>.Shared.Rent(length);
        lease.Length = length;
        return new PooledArray<T>(lease, Volatile.Read(ref lease.Generation));
    }

    private Lease Check(Lease lease)
    {
        if (Volatile.Read(ref lease.Generation) != _generation)
        {
            ThrowDisposed();
        }
        return lease;
    }

    [DoesNotReturn]
    private static void ThrowDisposed() =>
        throw new ObjectDisposedException(typeof(PooledArray<T>).Name, "the pooled array was disposed: its memory went back to the pool");

    /// <summary>The shared state of one rental. Leases are pooled too, so a rental allocates nothing in steady state.</summary>
    private sealed class Lease
    {
        // A small lock-free free list: a slot holds a lease or null. More leases than slots are left to the GC.
        private static readonly Lease?[] s_free = new Lease?[Math.Max(16, Environment.ProcessorCount * 4)];

        public T[] Array = [];
        public int Length;
        public long Generation;

        public static Lease Take()
        {
            var free = s_free;
            for (int i = 0; i < free.Length; i++)
            {
                if (Volatile.Read(ref free[i]) is not null && Interlocked.Exchange(ref free[i], null) is { } lease)
                {
                    return lease;
                }
            }
            return new Lease();
        }

        public static void Release(Lease lease)
        {
            var free = s_free;
            for (int i = 0; i < free.Length; i++)
            {
                if (Volatile.Read(ref free[i]) is null && Interlocked.CompareExchange(ref free[i], lease, null) is null)
                {
                    return;
                }
            }
        }
    }
}
