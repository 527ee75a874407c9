using System.Runtime;
using NUnit.Framework;

namespace DBusGen.Tests.Shared;

/// <summary>Keeps the GC from running (so no finalizer closes a leaked descriptor) and checks it did not.</summary>
internal sealed class NoGCRegion : IDisposable
{
    // Starting the region collects first: count from after that.
    private readonly bool _started = GC.TryStartNoGCRegion(200L * 1024 * 1024);
    private readonly int _collections = GC.CollectionCount(0);

    public void Dispose()
    {
        bool stillOn = GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        if (stillOn)
        {
            GC.EndNoGCRegion();
        }
        Assert.That(_started, Is.True, "the no-GC region started");
        Assert.That(stillOn && GC.CollectionCount(0) == _collections, Is.True, "no GC ran while descriptors were counted");
    }
}
