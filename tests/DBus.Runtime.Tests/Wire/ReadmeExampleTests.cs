namespace DBus.Runtime.Tests.Wire;

/// <summary>Keeps the README's "A taste" example true.</summary>
public class ReadmeExampleTests
{
    [Test]
    public void The_readme_example_builds_and_reads_a_message()
    {
        using var writer = MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus",
            "org.freedesktop.DBus", "RequestName", "su");
        writer.WriteString("com.example.App");
        writer.WriteUInt32(4);
        using Message call = writer.ToMessage();

        var reader = call.GetBodyReader();
        string name = reader.ReadString();
        uint flags = reader.ReadUInt32();

        Assert.Multiple(() =>
        {
            Assert.That(name, Is.EqualTo("com.example.App"));
            Assert.That(flags, Is.EqualTo(4u));
            Assert.That(call.Member, Is.EqualTo("RequestName"));
            Assert.That(call.Signature.Value, Is.EqualTo("su"));
        });
    }
}
