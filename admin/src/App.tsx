import { type ComponentType, lazy, Suspense, useRef } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { useRights, useSession } from './api/session';
import { NAV } from './nav';
import { Login } from './screens/Login';
import Placeholder from './screens/Placeholder';
import { Shell } from './Shell';
import { Loading } from './ui/states';

// One chunk per screen, found by folder (screens/<folder>/index.tsx): the first load carries the
// frame and the login only, and a new screen is a folder plus its line in nav.ts.
const modules = import.meta.glob<{ default: ComponentType }>('./screens/*/index.tsx');
const screens = new Map(Object.entries(modules).map(([file, load]) => [file.split('/')[2]!, lazy(load)] as const));

export function App() {
  const session = useSession();
  const { can } = useRights();
  // Signed in once and now not: the session ended (expired, or logged out elsewhere), which login says.
  const wasIn = useRef(false);
  if (session.isPending) return <Loading />;
  if (!session.data) return <Login expired={wasIn.current} />;
  wasIn.current = true;
  return (
    <Shell principal={session.data.principal} user={session.data.user}>
      <Suspense fallback={<Loading />}>
        <Routes>
          {NAV.filter((n) => can(n.area, n.op ?? 'read')).map((n) => {
            const Screen = screens.get(n.folder) ?? Placeholder;
            return <Route key={n.path} path={n.path === '/' ? '/' : `${n.path}/*`} element={<Screen />} />;
          })}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}
