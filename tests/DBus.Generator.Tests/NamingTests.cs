using DBus.Generator.Naming;
using DBus.Shared;

namespace DBus.Generator.Tests;

/// <summary>The pure naming rules documented in docs/generator.md.</summary>
public class NamingTests
{
    [TestCase("object_path", "ObjectPath")]
    [TestCase("isActive", "IsActive")]
    [TestCase("UUID", "UUID")]
    [TestCase("screen-width", "ScreenWidth")]
    [TestCase("_private", "Private")]
    [TestCase("3d", "_3d")]
    [TestCase("---", "Fallback")]
    public void PascalCase(string input, string expected) =>
        Assert.That(Identifiers.ToPascalCase(input, "Fallback"), Is.EqualTo(expected));

    [TestCase("Name", "name")]
    [TestCase("UUID", "uuid")]
    [TestCase("URLPath", "urlPath")]
    [TestCase("object_path", "objectPath")]
    [TestCase("x", "x")]
    public void CamelCase(string input, string expected) =>
        Assert.That(Identifiers.ToCamelCase(input, "f"), Is.EqualTo(expected));

    [Test]
    public void KeywordsAreEscaped() => Assert.Multiple(() =>
    {
        Assert.That(Identifiers.Escape("class"), Is.EqualTo("@class"));
        Assert.That(Identifiers.Escape("await"), Is.EqualTo("@await"));
        Assert.That(Identifiers.Escape("name"), Is.EqualTo("name"));
    });

    [TestCase("y", "byte")]
    [TestCase("ay", "byte[]")]
    [TestCase("aai", "int[][]")]
    [TestCase("a{sv}", "global::System.Collections.Generic.Dictionary<string, global::DBus.Variant>")]
    [TestCase("(i)", "global::System.ValueTuple<int>")]
    [TestCase("(iiiiiiiii)", "(int, int, int, int, int, int, int, int, int)")]
    [TestCase("a(oa{sv})", "(global::DBus.ObjectPath, global::System.Collections.Generic.Dictionary<string, global::DBus.Variant>)[]")]
    [TestCase("h", "global::DBus.UnixFd")]
    [TestCase("g", "global::DBus.Signature")]
    public void TypeMapping(string signature, string expected)
    {
        Assert.That(SignatureParser.TryParseSingle(signature, out var node), Is.Null);
        Assert.That(TypeMapper.ToCSharp(node!), Is.EqualTo(expected));
    }

    [Test]
    public void MembersClaimInOrderAndClashesGetSuffixes()
    {
        var namer = new MemberNamer("Player");
        Assert.Multiple(() =>
        {
            Assert.That(namer.Claim("GetVolume", MemberKind.Method), Is.EqualTo("GetVolume"));
            Assert.That(namer.Claim("Frob", MemberKind.Method), Is.EqualTo("Frob"));
            Assert.That(namer.Claim("Frob", MemberKind.Method), Is.EqualTo("Frob2"));
            Assert.That(namer.Claim("ToString", MemberKind.Method), Is.EqualTo("ToString2"));
            Assert.That(namer.Claim("Volume", MemberKind.Property), Is.EqualTo("VolumeProperty"));
            Assert.That(namer.Claim("Frob", MemberKind.Property), Is.EqualTo("Frob"), "no derived name of a property Frob equals one of a method Frob");
            Assert.That(namer.Claim("PropertiesChanged", MemberKind.Signal), Is.EqualTo("PropertiesChangedSignal"));
            Assert.That(namer.Claim("Seeked", MemberKind.Signal), Is.EqualTo("Seeked"));
            Assert.That(namer.Claim("Seeked", MemberKind.Signal), Is.EqualTo("SeekedSignal"));
            Assert.That(namer.Claim("Seeked", MemberKind.Signal), Is.EqualTo("SeekedSignal2"));
        });
    }

    [Test]
    public void ArgumentNames()
    {
        var names = ArgumentNamer.ParameterNames([("class", null), (null, null), ("name", null), ("Name", null), ("cancellationToken", null), ("w", "word")]);
        Assert.That(names, Is.EqualTo(new[] { "@class", "arg1", "name", "name2", "cancellationToken2", "word" }));

        var elements = ArgumentNamer.ElementNames([("rest", null), (null, null), ("item1", null), ("to_string", null), ("a", null), ("A", null)]);
        Assert.That(elements, Is.EqualTo(new[] { "RestValue", null, "Item1Value", "ToStringValue", "A", "A2" }));
    }

    [Test]
    public void InterfaceNamesTakeMoreSegmentsOnAClash()
    {
        var namer = new InterfaceNamer();
        Assert.Multiple(() =>
        {
            Assert.That(namer.Claim("org.a.Foo", null), Is.EqualTo("Foo"));
            Assert.That(namer.Claim("org.b.Foo", null), Is.EqualTo("BFoo"));
            Assert.That(namer.Claim("org.example.with_underscores", null), Is.EqualTo("WithUnderscores"));
            Assert.That(namer.Claim("Nodots", null), Is.EqualTo("Nodots"));
            Assert.That(namer.Claim("x.y", "Custom"), Is.EqualTo("Custom"));
        });
    }
}
