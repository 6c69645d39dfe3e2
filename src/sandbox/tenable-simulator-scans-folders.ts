import { TEMPLATES, templateListEntry } from './tenable-simulator-scans-catalog.js';
import { templateByUuid, templateDetails } from './tenable-simulator-scans-config.js';
import { legacyError, NOT_FOUND, scanStore, type ScanStore } from './tenable-simulator-scans-store.js';
import { ok, record, type Route } from './tenable-simulator-http.js';

/**
 * `/editor/scan/templates…` and `/folders…`. Recorded in pyTenable's `test_editor_template_list.yaml`
 * and `test_folders_*.yaml` (github:tenable/pyTenable @ 9674fac2af92): every container has "My Scans"
 * (`main`, `default_tag` 1) and "Trash"; `POST /folders` answers `{id}`, edits and deletes an empty 200.
 */

const route = (method: string, pattern: RegExp, handle: Route['handle']): Route => ({
  method,
  pattern,
  permission: 'scans',
  handle,
});

export const folderList = (store: ScanStore) =>
  store.folders.map((f) => ({
    unread_count: [...store.scans.values()].filter((s) => s.folderId === f.id && !s.read).length,
    custom: f.type === 'custom' ? 1 : 0,
    default_tag: f.type === 'main' ? 1 : 0,
    type: f.type,
    name: f.name,
    id: f.id,
  }));

export const editorAndFolderRoutes: Route[] = [
  route('GET', /^\/editor\/scan\/templates$/, () => ok({ templates: TEMPLATES.map(templateListEntry) })),
  route('GET', /^\/editor\/scan\/templates\/([^/]+)$/, (state, _req, [uuid = '']) => {
    const t = templateByUuid(uuid);
    return t ? ok(templateDetails(state, t, scanStore(state).folders)) : legacyError(404, NOT_FOUND);
  }),
  route('GET', /^\/folders$/, (state) => ok({ folders: folderList(scanStore(state)) })),
  route('POST', /^\/folders$/, (state, req) => {
    const store = scanStore(state);
    const name = record(req.body).name;
    if (typeof name !== 'string' || name.trim() === '')
      return legacyError(400, "Invalid 'name' field: a folder needs a name");
    if (store.folders.some((f) => f.name === name))
      return legacyError(400, 'A folder with the same name already exists');
    const folder = { id: state.nextId++, name, type: 'custom' as const };
    store.folders.push(folder);
    return ok({ id: folder.id });
  }),
  route('PUT', /^\/folders\/(\d+)$/, (state, req, [id = '']) => {
    const folder = scanStore(state).folders.find((f) => f.id === Number(id) && f.type === 'custom');
    const name = record(req.body).name;
    if (!folder) return legacyError(404, NOT_FOUND);
    if (typeof name !== 'string' || name.trim() === '')
      return legacyError(400, "Invalid 'name' field: a folder needs a name");
    folder.name = name;
    return ok();
  }),
  route('DELETE', /^\/folders\/(\d+)$/, (state, _req, [id = '']) => {
    const store = scanStore(state);
    const i = store.folders.findIndex((f) => f.id === Number(id) && f.type === 'custom');
    if (i < 0) return legacyError(404, NOT_FOUND);
    store.folders.splice(i, 1);
    return ok();
  }),
];
