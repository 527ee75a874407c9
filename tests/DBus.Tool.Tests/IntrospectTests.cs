using System.Xml.Linq;

namespace DBus.Tool.Tests;

/// <summary>dbusgen introspect: to stdout, to a file, one file per interface, and into a project file.</summary>
[TestFixture]
public sealed class IntrospectTests : ServiceFixture
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("dbusgen-introspect-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    private static IEnumerable<string> InterfaceNames(string xml) =>
        XDocument.Parse(xml, LoadOptions.None).Root!.Elements("interface").Select(e => (string)e.Attribute("name")!);

    [Test]
    public async Task Stdout_has_the_service_interfaces_without_the_standard_ones()
    {
        var result = await DbusgenAsync("introspect", Service, TestPath);
        AssertSucceeded(result);
        Assert.That(InterfaceNames(result.Output), Is.EqualTo(new[] { TestInterface }));
        var root = XDocument.Parse(result.Output).Root!;
        Assert.That(root.Elements("node").Select(n => (string?)n.Attribute("name")), Is.EqualTo(new[] { "Settings" }));
        var echo = root.Element("interface")!.Elements("method").Single(m => (string?)m.Attribute("name") == "Echo_asv");
        Assert.That(echo.Elements("arg").Select(a => (string?)a.Attribute("type")), Is.EqualTo(new[] { "a{sv}", "a{sv}" }));
    }

    [Test]
    public async Task Include_standard_keeps_the_standard_interfaces()
    {
        var result = await DbusgenAsync("introspect", "--include-standard", Service, SettingsPath);
        AssertSucceeded(result);
        Assert.That(InterfaceNames(result.Output), Is.EquivalentTo(new[]
        {
            "org.freedesktop.DBus.Introspectable", "org.freedesktop.DBus.Properties", SettingsInterface,
        }));
    }

    [Test]
    public async Task Output_option_writes_the_file()
    {
        string file = Path.Combine(_directory, "settings.xml");
        var result = await DbusgenAsync("introspect", Service, SettingsPath, "-o", file);
        AssertSucceeded(result);
        Assert.That(result.Output, Is.Empty);
        Assert.That(InterfaceNames(File.ReadAllText(file)), Is.EqualTo(new[] { SettingsInterface }));
    }

    [Test]
    public async Task Recursive_writes_one_file_per_interface_found_below_the_path()
    {
        string output = Path.Combine(_directory, "xml");
        var result = await DbusgenAsync("introspect", "--recursive", Service, "/", "-o", output);
        AssertSucceeded(result);
        Assert.That(Directory.GetFiles(output).Select(Path.GetFileName), Is.EquivalentTo(new[] { TestInterface + ".xml", SettingsInterface + ".xml" }));
        var settings = XDocument.Load(Path.Combine(output, SettingsInterface + ".xml")).Root!;
        Assert.That(settings.Elements("interface").Single().Elements("property").Select(p => (string?)p.Attribute("name")),
            Is.EqualTo(new[] { "Name", "Volume", "Tags", "Limits" }));
        Assert.That(File.ReadAllText(Path.Combine(output, TestInterface + ".xml")), Does.StartWith("<!DOCTYPE node"));
    }

    [Test]
    public async Task Add_to_writes_the_xml_and_one_item_and_a_second_run_changes_nothing()
    {
        string project = Path.Combine(_directory, "App.csproj");
        File.WriteAllText(project, """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
              </PropertyGroup>
            </Project>

            """);
        var first = await DbusgenAsync("introspect", Service, TestPath, "--recursive", "--add-to", project);
        AssertSucceeded(first);
        string projectAfterFirst = File.ReadAllText(project);
        string xmlFile = Path.Combine(_directory, "dbus", TestInterface + ".xml");
        var xmlTime = File.GetLastWriteTimeUtc(xmlFile);
        var items = XDocument.Parse(projectAfterFirst).Root!.Descendants("DBusInterface").Select(e => (string?)e.Attribute("Include"));
        Assert.That(items, Is.EqualTo(new[] { $"dbus/{TestInterface}.xml", $"dbus/{SettingsInterface}.xml" }));
        Assert.That(projectAfterFirst, Does.StartWith("<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <OutputType>Exe</OutputType>"));
        Assert.That(InterfaceNames(File.ReadAllText(xmlFile)), Is.EqualTo(new[] { TestInterface }));

        var second = await DbusgenAsync("introspect", Service, TestPath, "--recursive", "--add-to", project);
        AssertSucceeded(second);
        Assert.That(File.ReadAllText(project), Is.EqualTo(projectAfterFirst));
        Assert.That(File.GetLastWriteTimeUtc(xmlFile), Is.EqualTo(xmlTime));
        Assert.That(second.Output, Does.Contain("already in App.csproj"));
    }

    [Test]
    public async Task Add_to_joins_the_items_already_there_and_knows_them_by_either_slash()
    {
        string project = Path.Combine(_directory, "Lib.csproj");
        File.WriteAllText(project, """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <DBusInterface Include="dbus\org.dbusgen.Settings.xml" Generate="Server" />
              </ItemGroup>
            </Project>
            """);
        var result = await DbusgenAsync("introspect", "--recursive", Service, TestPath, "--add-to", project);
        AssertSucceeded(result);
        Assert.That(File.ReadAllText(project), Is.EqualTo("""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <DBusInterface Include="dbus\org.dbusgen.Settings.xml" Generate="Server" />
                <DBusInterface Include="dbus/org.dbusgen.Test.xml" />
              </ItemGroup>
            </Project>
            """));
        Assert.That(File.Exists(Path.Combine(_directory, "dbus", SettingsInterface + ".xml")), Is.True, "the file is written even when its item was there");
    }

    [Test]
    public async Task Add_to_a_missing_project_is_one_line()
    {
        var result = await DbusgenAsync("introspect", Service, TestPath, "--add-to", Path.Combine(_directory, "Missing.csproj"));
        Assert.That(AssertFailedWithOneLine(result), Does.Contain("Missing.csproj does not exist"));
    }
}
