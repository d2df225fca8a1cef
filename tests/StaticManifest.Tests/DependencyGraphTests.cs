using Wharf.StaticManifest.Collecting;

namespace Wharf.StaticManifest.Tests;

[TestClass]
public sealed class DependencyGraphTests
{
    [TestMethod]
    public void Components_come_after_what_they_depend_on()
    {
        var edges = new Dictionary<string, string[]>
        {
            ["site.css"] = ["base.css", "img/logo.png"],
            ["base.css"] = ["fonts.css"],
            ["fonts.css"] = [],
            ["app.js"] = ["lib.js"],
            ["lib.js"] = [],
        };

        IReadOnlyList<IReadOnlyList<string>> order = DependencyGraph.StronglyConnectedComponents([.. edges.Keys], n => edges[n]);

        List<string> flat = [.. order.Select(c => c.Single())];
        Assert.HasCount(5, flat);
        Assert.IsLessThan(flat.IndexOf("base.css"), flat.IndexOf("fonts.css"));
        Assert.IsLessThan(flat.IndexOf("site.css"), flat.IndexOf("base.css"));
        Assert.IsLessThan(flat.IndexOf("app.js"), flat.IndexOf("lib.js"));
    }

    [TestMethod]
    public void A_cycle_is_one_component_and_its_dependencies_come_first()
    {
        var edges = new Dictionary<string, string[]>
        {
            ["a.css"] = ["b.css"],
            ["b.css"] = ["c.css", "a.css"],
            ["c.css"] = ["b.css", "d.css"],
            ["d.css"] = [],
            ["self.css"] = ["self.css"],
        };

        IReadOnlyList<IReadOnlyList<string>> order = DependencyGraph.StronglyConnectedComponents([.. edges.Keys], n => edges[n]);

        Assert.HasCount(3, order);
        int cycle = order.ToList().FindIndex(c => c.Count == 3);
        CollectionAssert.AreEqual(new[] { "a.css", "b.css", "c.css" }, order[cycle].ToArray());
        Assert.IsLessThan(cycle, order.ToList().FindIndex(c => c.Contains("d.css")));
        Assert.IsTrue(order.Any(c => c.SequenceEqual(["self.css"])));
    }

    [TestMethod]
    public void A_long_chain_does_not_overflow_the_stack()
    {
        string[] nodes = [.. Enumerable.Range(0, 100_000).Select(i => $"f{i}.css")];

        IReadOnlyList<IReadOnlyList<string>> order = DependencyGraph.StronglyConnectedComponents(nodes, n => int.Parse(n[1..^4], System.Globalization.CultureInfo.InvariantCulture) is var i && i + 1 < nodes.Length ? [nodes[i + 1]] : []);

        Assert.HasCount(nodes.Length, order);
        Assert.AreEqual(nodes[^1], order[0][0]);
    }
}
