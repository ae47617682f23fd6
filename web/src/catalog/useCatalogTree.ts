import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, query } from '../api/client.js';
import type { TreeNode } from '../api/types.js';

export interface TreeDataNode {
  key: string;
  isLeaf: boolean;
  node: TreeNode;
  children?: TreeDataNode[];
}

const fetchChildren = async (key: string) => (await api.get<{ nodes: TreeNode[] }>(`/api/v1/tree${query({ key })}`)).nodes;

/**
 * The catalogue tree, loaded a level at a time (GET /api/v1/tree?key=…). `refresh` reloads the
 * root and every expanded node, so counts and newly created nodes appear without losing the
 * user's place; `reveal` also opens the given ancestors.
 */
export function useCatalogTree() {
  const [children, setChildren] = useState<Map<string, TreeNode[]>>(new Map());
  const [expanded, setExpandedState] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const expandedRef = useRef<string[]>([]);
  const inFlight = useRef(new Map<string, Promise<void>>());

  const setExpanded = useCallback((keys: string[]) => {
    expandedRef.current = keys;
    setExpandedState(keys);
  }, []);

  const loadData = useCallback((key: string): Promise<void> => {
    const running = inFlight.current.get(key);
    if (running) return running;
    const p = fetchChildren(key)
      .then((nodes) => setChildren((m) => new Map(m).set(key, nodes)))
      .catch((e: unknown) => setError(e))
      .finally(() => inFlight.current.delete(key));
    inFlight.current.set(key, p);
    return p;
  }, []);

  const refresh = useCallback(async (reveal: string[] = []) => {
    const keys = ['root', ...new Set([...expandedRef.current, ...reveal])];
    const loaded = await Promise.all(keys.map((k) => fetchChildren(k).then((nodes) => [k, nodes] as const, () => null)));
    const next = new Map<string, TreeNode[]>();
    for (const entry of loaded) if (entry) next.set(entry[0], entry[1]);
    if (!next.has('root')) setError(new Error('tree'));
    else setError(null);
    setChildren(next);
    setExpanded(keys.filter((k) => k !== 'root' && next.has(k)));
  }, [setExpanded]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const { treeData, byKey } = useMemo(() => {
    const byKey = new Map<string, TreeNode>();
    const build = (key: string): TreeDataNode[] =>
      (children.get(key) ?? []).map((node) => {
        byKey.set(node.key, node);
        const kids = children.has(node.key) ? build(node.key) : undefined;
        return { key: node.key, isLeaf: node.isLeaf, node, ...(kids ? { children: kids } : {}) };
      });
    return { treeData: build('root'), byKey };
  }, [children]);

  return { treeData, byKey, loadedKeys: [...children.keys()], expanded, setExpanded, loadData, refresh, error, loaded: children.has('root') };
}
