using System.Diagnostics;
using DBusGen.Tests.Shared;

namespace DBus.Fuzz.Tests;

/// <summary>
/// The fuzz targets afl-fuzz runs (build/fuzz.sh), run by the suite: over every seed, then over a bounded,
/// deterministic stream of mutations of them (the same for every run; a time cap keeps a loaded machine within
/// budget). A failure names the input, in base64, to turn into a regression test.
/// </summary>
[NonParallelizable]
public class FuzzTargetTests
{
    private const int Iterations = 20_000;
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(8);

    // How many seeds each target must accept (a parsed message, a finished handshake, a model without errors): seeds
    // that the target rejects at once would leave the mutations nothing deep to reach.
    [TestCase(FuzzTargets.Message, 1.0)]
    [TestCase(FuzzTargets.SaslServer, 0.6)]
    [TestCase(FuzzTargets.SaslClient, 0.6)]
    [TestCase(FuzzTargets.Xml, 0.9)]
    public void Seeds_are_accepted_by_their_target(string target, double share)
    {
        var run = FuzzTargets.Get(target);
        var seeds = Seeds.For(target);
        Assert.That(seeds, Has.Count.GreaterThanOrEqualTo(5));
        int accepted = seeds.Count(seed => Run(run, seed));
        Assert.That(accepted, Is.GreaterThanOrEqualTo((int)(share * seeds.Count)), $"{accepted} of {seeds.Count} seeds accepted");
    }

    [TestCaseSource(typeof(FuzzTargets), nameof(FuzzTargets.All))]
    public void Mutated_seeds_get_only_the_errors_the_contract_allows(string target)
    {
        var run = FuzzTargets.Get(target);
        var mutator = new Mutator(Seeds.For(target), Seeds.Tokens(target), randomSeed: 20261202);
        run(mutator.Next()); // first use: lazily opened descriptors are in the baseline
        int descriptors = DescriptorCount.Current();
        var clock = Stopwatch.StartNew();
        int done = 0;
        while (done < Iterations && clock.Elapsed < s_budget)
        {
            Run(run, mutator.Next());
            done++;
        }
        TestContext.Out.WriteLine($"{target}: {done} mutated inputs in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.That(done, Is.GreaterThan(200), "inputs tried within the budget");
        Assert.That(DescriptorCount.Current(), Is.LessThanOrEqualTo(descriptors), "descriptors left open by the inputs");
    }

    private static bool Run(Func<byte[], bool> target, byte[] input)
    {
        try
        {
            return target(input);
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name}: {e.Message} for the input (base64) {Convert.ToBase64String(input)}\n{e}");
            return false;
        }
    }
}
