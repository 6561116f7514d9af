import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useRef } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { useSession } from './api/session';
import { Login } from './screens/Login';
import { Shell } from './Shell';

// One chunk per screen: the first load carries the frame and the login only.
const Dashboard = lazy(() => import('./screens/Dashboard'));
const Placeholder = lazy(() => import('./screens/Placeholder'));

const loading = (
  <Center h="50vh">
    <Loader role="status" aria-label="Loading" />
  </Center>
);

export function App() {
  const session = useSession();
  // Signed in once and now not: the session ended (expired, or logged out elsewhere), which login says.
  const wasIn = useRef(false);
  if (session.isPending) return loading;
  if (!session.data) return <Login expired={wasIn.current} />;
  wasIn.current = true;
  return (
    <Shell principal={session.data.principal}>
      <Suspense fallback={loading}>
        <Routes>
          <Route path="/" element={<Dashboard />} />
          <Route path="/:area/*" element={<Placeholder />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </Suspense>
    </Shell>
  );
}
