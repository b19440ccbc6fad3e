/* confdefs.h */
#define PACKAGE_NAME "clerkd"
#define PACKAGE_TARNAME "clerkd"
#define PACKAGE_VERSION "0.1.0"
#define PACKAGE_STRING "clerkd 0.1.0"
#define PACKAGE_BUGREPORT "clerkship-dev@example.edu"
#define PACKAGE_URL ""
#define PACKAGE "clerkd"
#define VERSION "0.1.0"
/* end confdefs.h.  */

int
main (void)
{

  ;
  return 0;
}
