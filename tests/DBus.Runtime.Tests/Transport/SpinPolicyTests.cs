using DBus.Transport;

namespace DBus.Runtime.Tests.Transport;

/// <summary>When a reactor thread polls for its next event before sleeping: only after an event that came fast,
/// with the thread pool idle since the last wait and no burst of messages.</summary>
[TestFixture]
public class SpinPolicyTests
{
    private const long Window = 1000;
    private const long Fast = Window - 1;
    private const long Slow = Window;

    [Test]
    public void A_reactor_thread_does_not_spin_before_an_event_showed_a_fast_peer()
    {
        var policy = new SpinPolicy(Window);
        Assert.That(policy.ShouldSpin(burst: false, brokered: false, poolWorkItems: 0), Is.False);
    }

    [Test]
    public void An_event_within_the_window_lets_the_next_wait_spin_and_a_slower_one_stops_it()
    {
        var policy = new SpinPolicy(Window);
        policy.OnWaitEnded(Fast);
        Assert.That(policy.ShouldSpin(burst: false, brokered: false, poolWorkItems: 0), Is.True);
        policy.OnWaitEnded(Slow);
        Assert.That(policy.ShouldSpin(burst: false, brokered: false, poolWorkItems: 0), Is.False, "the peer answered no faster than the window");
        policy.OnWaitEnded(Fast);
        Assert.That(policy.ShouldSpin(burst: false, brokered: false, poolWorkItems: 0), Is.True, "a fast peer again");
    }

    [Test]
    public void Work_the_thread_pool_did_since_the_last_wait_stops_one_spin()
    {
        var policy = new SpinPolicy(Window);
        policy.OnWaitEnded(Fast);
        Assert.That(policy.ShouldSpin(burst: false, brokered: false, poolWorkItems: 10), Is.False, "the pool completed work items since the last wait");
        policy.OnWaitEnded(Fast);
        Assert.That(policy.ShouldSpin(burst: false, brokered: false, poolWorkItems: 10), Is.True, "nothing completed since");
    }

    [Test]
    public void An_event_that_brought_several_messages_stops_the_next_spin()
    {
        var policy = new SpinPolicy(Window);
        policy.OnWaitEnded(Fast);
        Assert.That(policy.ShouldSpin(burst: true, brokered: false, poolWorkItems: 0), Is.False);
        policy.OnWaitEnded(Fast);
        Assert.That(policy.ShouldSpin(burst: false, brokered: false, poolWorkItems: 0), Is.True);
    }

    [Test]
    public void An_event_of_a_connection_to_a_bus_stops_the_next_spin()
    {
        var policy = new SpinPolicy(Window);
        policy.OnWaitEnded(Fast);
        Assert.That(policy.ShouldSpin(burst: false, brokered: true, poolWorkItems: 0), Is.False, "the answer needs the bus and a third process to run");
        policy.OnWaitEnded(Fast);
        Assert.That(policy.ShouldSpin(burst: false, brokered: false, poolWorkItems: 0), Is.True, "a peer-to-peer event after it");
    }
}
