namespace Wharf.StaticManifest.Collecting;

/// <summary>
/// The references between files to rewrite, split into strongly connected components in dependency order: every
/// component comes after the components it refers to, so one pass can give each file its final name. A component
/// of more than one file (a.css imports b.css, which imports a.css) is a cycle; its members share one combined hash
/// instead of failing as Django's "Max post-process passes exceeded" does.
/// </summary>
public static class DependencyGraph
{
    /// <summary>Orders <paramref name="nodes"/> into components, dependencies first.</summary>
    /// <param name="nodes">The nodes, in a stable order (the result's order among independent nodes follows it).</param>
    /// <param name="edges">For each node, the nodes it depends on (others are ignored).</param>
    /// <returns>The components; each lists its members in the input order.</returns>
    public static IReadOnlyList<IReadOnlyList<string>> StronglyConnectedComponents(IReadOnlyList<string> nodes, Func<string, IEnumerable<string>> edges)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(edges);
        var indexOf = new Dictionary<string, int>(nodes.Count, StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
        {
            indexOf[nodes[i]] = i;
        }

        var successors = new int[nodes.Count][];
        for (int i = 0; i < nodes.Count; i++)
        {
            successors[i] = [.. edges(nodes[i]).Select(e => indexOf.TryGetValue(e, out int j) ? j : -1).Where(j => j >= 0).Distinct()];
        }

        // Tarjan's algorithm, iterative (deep @import chains must not overflow the stack). It emits components in
        // reverse topological order of the "depends on" edges, which is exactly dependencies first.
        int[] index = new int[nodes.Count];
        int[] low = new int[nodes.Count];
        bool[] onStack = new bool[nodes.Count];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var result = new List<IReadOnlyList<string>>();
        int counter = 0;
        var work = new Stack<(int Node, int Next)>();
        for (int start = 0; start < nodes.Count; start++)
        {
            if (index[start] >= 0)
            {
                continue;
            }

            work.Push((start, 0));
            index[start] = low[start] = counter++;
            stack.Push(start);
            onStack[start] = true;
            while (work.Count > 0)
            {
                (int node, int next) = work.Pop();
                if (next < successors[node].Length)
                {
                    work.Push((node, next + 1));
                    int successor = successors[node][next];
                    if (index[successor] < 0)
                    {
                        index[successor] = low[successor] = counter++;
                        stack.Push(successor);
                        onStack[successor] = true;
                        work.Push((successor, 0));
                    }
                    else if (onStack[successor])
                    {
                        low[node] = Math.Min(low[node], index[successor]);
                    }

                    continue;
                }

                if (work.Count > 0)
                {
                    int parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }

                if (low[node] == index[node])
                {
                    var members = new List<int>();
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        members.Add(member);
                    }
                    while (member != node);
                    members.Sort();
                    result.Add([.. members.Select(m => nodes[m])]);
                }
            }
        }

        return result;
    }
}
